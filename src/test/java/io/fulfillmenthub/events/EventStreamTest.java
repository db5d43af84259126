package io.fulfillmenthub.events;

import static io.fulfillmenthub.events.EventsTesting.EVENTS;
import static io.fulfillmenthub.events.EventsTesting.orderCluster;
import static io.fulfillmenthub.events.EventsTesting.scale;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fulfillmenthub.testsupport.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** The poll list and the Server-Sent Events stream: tenant-filtered, typed, resumable without gaps or repeats. */
@QuarkusTest
class EventStreamTest {

    @TestHTTPResource("/api/events/v1/events")
    URL stream;

    @Test
    void pollListsTheTenantsEventsOldestFirstAsCloudEventsAndResumes() {
        long start = EventsTesting.lastCursor("tenant-user");
        String a = orderCluster("tenant-admin");
        scale("tenant-admin", a, 2);
        String b = orderCluster("tenant-admin");
        String foreign = orderCluster("other-tenant-admin");

        ExtractableResponse<Response> page = given().header("Authorization", Tokens.bearer("tenant-user"))
                .queryParam("after", start).queryParam("limit", 1000).get(EVENTS)
                .then().statusCode(200).contentType("application/json").extract();
        List<Map<String, Object>> items = page.path("items");
        List<String> subjects = items.stream().map(i -> (String) i.get("subject")).toList();
        // created, scaled, created; progress events (ready, failed...) may come in between, at the simulator's pace
        assertEquals(List.of(a + " created", a + " scaled", b + " created"), items.stream()
                .filter(i -> a.equals(i.get("subject")) || b.equals(i.get("subject")))
                .map(i -> i.get("subject") + " " + ((String) i.get("type")).replace("io.fulfillmenthub.cluster.", ""))
                .filter(s -> s.endsWith(" created") || s.endsWith(" scaled")).toList());
        assertFalse(subjects.contains(foreign), "another tenant's event leaked into the poll list");
        Map<String, Object> first = items.stream().filter(i -> a.equals(i.get("subject"))).findFirst().orElseThrow();
        assertEquals("1.0", first.get("specversion"));
        assertEquals("io.fulfillmenthub.cluster.created", first.get("type"));
        assertEquals("application/json", first.get("datacontenttype"));
        assertNotNull(first.get("id"));
        assertNotNull(first.get("source"));
        assertTrue(((String) first.get("time")).endsWith("Z"));
        assertEquals(a, ((Map<?, ?>) first.get("data")).get("id"));
        List<Long> cursors = items.stream().map(i -> Long.parseLong((String) i.get("cursor"))).toList();
        for (int i = 1; i < cursors.size(); i++) {
            assertTrue(cursors.get(i) > cursors.get(i - 1), "oldest first");
        }
        assertEquals(Long.toString(cursors.get(cursors.size() - 1)), page.path("next_after"));

        // page by page with limit=1 and a type filter (short or full names): the same events, none twice
        List<String> seen = new ArrayList<>();
        long after = start;
        for (int i = 0; i < 50; i++) {
            ExtractableResponse<Response> p = given().header("Authorization", Tokens.bearer("tenant-user"))
                    .queryParam("after", after).queryParam("limit", 1)
                    .queryParam("types", "cluster.created,io.fulfillmenthub.cluster.scaled").get(EVENTS)
                    .then().statusCode(200).extract();
            if ((int) p.path("size") == 0) {
                assertEquals(Long.toString(after), p.path("next_after"));
                break;
            }
            seen.add(p.path("items[0].subject") + "/" + p.path("items[0].type"));
            after = Long.parseLong(p.path("next_after"));
        }
        assertEquals(List.of(a + "/io.fulfillmenthub.cluster.created", a + "/io.fulfillmenthub.cluster.scaled",
                b + "/io.fulfillmenthub.cluster.created"), seen.stream().filter(s -> s.startsWith(a) || s.startsWith(b)).toList());
        List<String> scaledOnly = given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("after", start)
                .queryParam("types", "cluster.scaled").get(EVENTS).then().statusCode(200).extract().path("items.subject");
        assertEquals(List.of(a), scaledOnly.stream().filter(s -> s.equals(a) || s.equals(b)).toList());

        // the other tenant sees its own event only
        List<String> theirs = given().header("Authorization", Tokens.bearer("other-tenant-admin"))
                .queryParam("after", start).queryParam("limit", 1000).get(EVENTS).then().statusCode(200)
                .extract().path("items.subject");
        assertTrue(theirs.contains(foreign));
        assertFalse(theirs.contains(a) || theirs.contains(b));
    }

    @Test
    void pollRefusesBadInput() {
        given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("after", "abc").get(EVENTS)
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("after"));
        given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("after", "-1").get(EVENTS)
                .then().statusCode(400).body("field", equalTo("after"));
        given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("limit", 0).get(EVENTS)
                .then().statusCode(400).body("field", equalTo("limit"));
        given().header("Authorization", Tokens.bearer("tenant-user")).queryParam("types", "cluster.exploded").get(EVENTS)
                .then().statusCode(400).body("field", equalTo("types"));
        given().get(EVENTS).then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", Tokens.bearer("sre")).get(EVENTS).then().statusCode(403);
    }

    @Test
    void streamSendsEventsLiveAndResumesFromLastEventIdWithoutGapsOrRepeats() throws Exception {
        URI uri = stream.toURI();
        Set<String> mine = new LinkedHashSet<>();
        List<SseReader.Event> got = new ArrayList<>();
        Set<String> other = new HashSet<>();
        try (SseReader first = SseReader.open(uri, Tokens.bearer("tenant-user"));
                SseReader theirs = SseReader.open(uri, Tokens.bearer("other-tenant-admin"))) {
            assertEquals(200, first.status());
            assertTrue(first.header("content-type").startsWith("text/event-stream"));
            long t0 = System.currentTimeMillis();
            String c1 = orderCluster("tenant-admin");
            mine.add(c1);
            SseReader.Event e = awaitSubject(first, c1, Duration.ofSeconds(5));
            assertTrue(System.currentTimeMillis() - t0 < 3000, "a new event reaches the stream within about a second");
            assertEquals("io.fulfillmenthub.cluster.created", e.event());
            assertEquals(e.id(), e.data().get("cursor").asText());
            assertEquals("1.0", e.data().get("specversion").asText());
            assertEquals(c1, e.data().get("data").get("id").asText());
            got.add(e);
            for (int i = 0; i < 3; i++) {
                String c = orderCluster("tenant-admin");
                mine.add(c);
                scale("tenant-admin", c, 2);
            }
            got.addAll(collectUntil(first, mine, 1 + 3 * 2, got));
            theirs.drain(Duration.ofMillis(500)).forEach(x -> other.add(x.data().get("subject").asText()));
        }
        String lastId = got.get(got.size() - 1).id();

        // away: more changes happen
        for (int i = 0; i < 4; i++) {
            String c = orderCluster("tenant-admin");
            mine.add(c);
            scale("tenant-admin", c, 3);
        }
        // back: Last-Event-ID resumes exactly after the last event read
        try (SseReader again = SseReader.open(uri, Tokens.bearer("tenant-user"), "Last-Event-ID", lastId)) {
            assertEquals(200, again.status());
            got.addAll(collectUntil(again, mine, 1 + 3 * 2 + 4 * 2, got));
            String c = orderCluster("tenant-admin");
            mine.add(c);
            got.addAll(collectUntil(again, mine, 1 + 3 * 2 + 4 * 2 + 1, got));
        }
        List<SseReader.Event> ours = got.stream().filter(x -> counted(x, mine)).toList();
        assertEquals(1 + 3 * 2 + 4 * 2 + 1, ours.size(), "every event once");
        Set<String> ids = new HashSet<>();
        long previous = 0;
        for (SseReader.Event x : got) {
            assertTrue(ids.add(x.id()), "repeated event " + x.id());
            assertTrue(Long.parseLong(x.id()) > previous, "cursor order");
            previous = Long.parseLong(x.id());
        }
        for (String c : mine) {
            List<String> types = ours.stream().filter(x -> c.equals(x.data().get("subject").asText())).map(SseReader.Event::event).toList();
            assertEquals("io.fulfillmenthub.cluster.created", types.get(0), "created first for " + c);
        }
        assertTrue(other.stream().noneMatch(mine::contains), "another tenant's stream saw this tenant's events");
    }

    @Test
    void streamFiltersTypesResumesFromAfterAndSendsHeartbeats() throws Exception {
        long start = EventsTesting.lastCursor("tenant-user");
        String c = orderCluster("tenant-admin");
        scale("tenant-admin", c, 2);
        scale("tenant-admin", c, 3);
        try (SseReader s = SseReader.open(URI.create(stream + "?types=cluster.scaled&after=" + start),
                Tokens.bearer("tenant-user"))) {
            assertEquals(200, s.status());
            List<SseReader.Event> events = collectUntil(s, Set.of(c), 2, List.of());
            assertEquals(List.of("io.fulfillmenthub.cluster.scaled", "io.fulfillmenthub.cluster.scaled"),
                    events.stream().map(SseReader.Event::event).toList());
            Thread.sleep(1500);
            assertTrue(s.comments() >= 2, "keep-alive comments");
        }
    }

    @Test
    void streamAuthenticatesLikeTheApi() throws Exception {
        URI uri = stream.toURI();
        try (SseReader none = SseReader.open(uri, null)) {
            assertEquals(401, none.status());
            assertTrue(none.header("content-type").startsWith("application/problem+json"));
            assertTrue(none.bodyIfError().contains("\"status\":401"));
        }
        try (SseReader bad = SseReader.open(uri, "Bearer not-a-token")) {
            assertEquals(401, bad.status());
        }
        try (SseReader provider = SseReader.open(uri, Tokens.bearer("sre"))) {
            assertEquals(403, provider.status());
        }
        try (SseReader badType = SseReader.open(URI.create(stream + "?types=cluster.nope"), Tokens.bearer("tenant-user"))) {
            assertEquals(400, badType.status());
            assertTrue(badType.bodyIfError().contains("\"field\":\"types\""));
        }
        try (SseReader badId = SseReader.open(uri, Tokens.bearer("tenant-user"), "Last-Event-ID", "yesterday")) {
            assertEquals(400, badId.status());
        }
        given().get("/api/events/v1/events").then().statusCode(401).body("status", equalTo(401))
                .header("WWW-Authenticate", startsWith("Bearer"));
    }

    /** Reads events until {@code count} events about {@code subjects} were seen overall (including {@code before}). */
    static List<SseReader.Event> collectUntil(SseReader r, Set<String> subjects, int count, List<SseReader.Event> before)
            throws InterruptedException {
        List<SseReader.Event> out = new ArrayList<>();
        long have = before.stream().filter(x -> counted(x, subjects)).count();
        long deadline = System.currentTimeMillis() + 15_000;
        while (have < count && System.currentTimeMillis() < deadline) {
            SseReader.Event e = r.next(Duration.ofMillis(500));
            if (e == null) {
                continue;
            }
            out.add(e);
            if (counted(e, subjects)) {
                have++;
            }
        }
        return out;
    }

    /**
     * The events these tests cause themselves: created and scaled. The provisioning of the ordered clusters goes on
     * meanwhile and adds its own (cluster.ready...), which the stream rightly carries too.
     */
    static boolean counted(SseReader.Event e, Set<String> subjects) {
        return subjects.contains(e.data().get("subject").asText())
                && (e.event().endsWith(".cluster.created") || e.event().endsWith(".cluster.scaled"));
    }

    static SseReader.Event awaitSubject(SseReader r, String subject, Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            SseReader.Event e = r.next(Duration.ofMillis(200));
            if (e != null && subject.equals(e.data().get("subject").asText())) {
                return e;
            }
        }
        throw new AssertionError("no event about " + subject + " within " + timeout);
    }
}
