package io.fulfillmenthub.notifications;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.fulfillmenthub.http.Api;
import io.fulfillmenthub.http.Page;
import io.fulfillmenthub.http.ProblemException;
import io.fulfillmenthub.security.Auth;
import io.fulfillmenthub.security.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/**
 * {@code /api/admin/v1/dead_letters}: sink jobs (tickets, pages, chat, mail) given up after their retries, with the
 * last error; {@code POST /{id}/retry} queues one again with a fresh retry schedule (sre, server-admin).
 */
@ApplicationScoped
@Named("deadLetterApi")
public class DeadLetterApi {

    static final Set<String> SINKS = Set.of(SinkSettings.SERVICENOW, SinkSettings.JIRA, SinkSettings.PAGERDUTY,
            SinkSettings.SLACK, SinkSettings.MAIL);

    @Inject
    Auth auth;
    @Inject
    SinkJobs jobs;

    public void list(Exchange ex) {
        auth.require(ex, Role.SRE, Role.SERVER_ADMIN);
        Page page = Api.page(ex);
        String sink = Api.query(ex, "sink");
        if (sink != null && !sink.isBlank()) {
            sink = sink.trim().toLowerCase(Locale.ROOT);
            if (!SINKS.contains(sink)) {
                throw ProblemException.invalid("sink", "sink must be one of " + String.join(", ", SINKS.stream().sorted().toList()));
            }
        } else {
            sink = null;
        }
        Api.json(ex, 200, Page.envelope(jobs.deadLetters(sink, page), jobs.countDeadLetters(sink)));
    }

    public void retry(Exchange ex) {
        auth.require(ex, Role.SRE, Role.SERVER_ADMIN);
        String id = Api.header(ex, "id");
        long n;
        try {
            n = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ProblemException.notFound("dead letter", id);
        }
        SinkJobs.DeadLetter d = jobs.job(n);
        if (d == null) {
            throw ProblemException.notFound("dead letter", id);
        }
        if (!jobs.retry(n)) {
            throw ProblemException.conflict("job " + id + " is " + d.state + ", not DEAD");
        }
        Api.json(ex, 202, Map.of("id", n, "state", "PENDING"));
    }
}
