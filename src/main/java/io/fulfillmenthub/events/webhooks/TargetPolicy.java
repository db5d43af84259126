package io.fulfillmenthub.events.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where the hub may send webhooks. A subscriber URL must be absolute http(s) without credentials or fragment, and
 * (unless private targets are allowed) every address its host resolves to must be public: loopback, link-local,
 * private, shared (CGNAT), multicast and reserved ranges are refused, IPv4-mapped and NAT64 IPv6 forms included.
 * Checked when the subscription is created and again before every attempt (the name may resolve elsewhere later).
 */
public final class TargetPolicy {

    private TargetPolicy() {
    }

    /** Why a target is refused. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** Parses and checks the URL's form; the message of {@link Refused} names what is wrong. */
    public static URI parse(String url) throws Refused {
        if (url == null || url.isBlank()) {
            throw new Refused("url is required");
        }
        if (url.length() > 2000) {
            throw new Refused("url is longer than 2000 characters");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new Refused("url is not a valid URI: " + e.getReason());
        }
        if (!uri.isAbsolute() || uri.getScheme() == null) {
            throw new Refused("url must be absolute (http:// or https://)");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("url must use http or https, not '" + uri.getScheme() + "'");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new Refused("url must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("url must not carry credentials");
        }
        if (uri.getRawFragment() != null) {
            throw new Refused("url must not have a fragment");
        }
        return uri;
    }

    /** Resolves the URL's host and refuses it when any address is not public (unless {@code allowPrivate}). */
    public static void checkResolved(URI uri, boolean allowPrivate) throws Refused {
        resolve(uri, allowPrivate);
    }

    /**
     * The address to connect to: the host's first address once every address it resolves to is checked, so the
     * request goes where the check looked (a name that resolves elsewhere a moment later, DNS rebinding, cannot move
     * it to a private address in between). Null when private targets are allowed: nothing to pin then.
     */
    public static InetAddress resolve(URI uri, boolean allowPrivate) throws Refused {
        if (allowPrivate) {
            return null;
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new Refused("host '" + host + "' cannot be resolved");
        }
        for (InetAddress a : addresses) {
            if (!isPublic(a)) {
                throw new Refused("host '" + host + "' resolves to " + a.getHostAddress()
                        + ", a loopback, link-local or private address");
            }
        }
        return addresses[0];
    }

    /** The port a request to the URL connects to. */
    public static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** True when the address is a public unicast address. */
    public static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return isPublicV4(b);
        }
        if (a instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) { // fc00::/7 unique local
                return false;
            }
            if (first == 0xfe && (b[1] & 0xc0) == 0xc0) { // fec0::/10 old site-local
                return false;
            }
            if (first == 0xff) {
                return false;
            }
            if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) { // ::ffff:a.b.c.d
                return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]});
            }
            if (allZero(b, 0, 12)) { // ::a.b.c.d (deprecated compatible form), :: and ::1
                return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]});
            }
            if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                    && allZero(b, 4, 12)) { // 64:ff9b::/96 NAT64
                return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]});
            }
            if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) { // 2002::/16 6to4 embeds an IPv4 address
                return isPublicV4(new byte[] {b[2], b[3], b[4], b[5]});
            }
            return true;
        }
        return false;
    }

    private static boolean isPublicV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        return !(a0 == 0                                  // 0.0.0.0/8 "this network"
                || a0 == 10                               // 10.0.0.0/8
                || a0 == 127                              // loopback
                || (a0 == 100 && a1 >= 64 && a1 <= 127)  // 100.64.0.0/10 shared (CGNAT)
                || (a0 == 169 && a1 == 254)              // link-local (cloud metadata)
                || (a0 == 172 && a1 >= 16 && a1 <= 31)   // 172.16.0.0/12
                || (a0 == 192 && a1 == 0 && a2 == 0)     // 192.0.0.0/24 IETF protocol assignments
                || (a0 == 192 && a1 == 168)              // 192.168.0.0/16
                || (a0 == 198 && (a1 == 18 || a1 == 19)) // 198.18.0.0/15 benchmarking
                || a0 >= 224);                            // multicast, reserved, broadcast
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
