package io.sluice.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Refuses webhook targets inside the network the server sits in (SPEC §7): loopback, link-local,
 * private, unique-local, multicast and unspecified addresses, checked after DNS resolution and on
 * every redirect, unless the server runs with {@code --allow-private-webhooks}.
 */
final class WebhookGuard {
    private final boolean allowPrivate;

    WebhookGuard(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Why the URL may not be called, or null when it may. */
    String refusal(URI uri) {
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
            return "not an http or https URL";
        }
        if (allowPrivate) {
            return null;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(uri.getHost())) {
                if (isInternal(a)) {
                    return uri.getHost() + " resolves to " + a.getHostAddress()
                            + ", an internal address (start the server with --allow-private-webhooks to allow it)";
                }
            }
        } catch (UnknownHostException e) {
            return "unknown host " + uri.getHost();
        }
        return null;
    }

    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc; // fc00::/7, unique local
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return first == 0 || (first == 100 && second >= 64 && second < 128) // carrier-grade NAT
                || (first == 198 && (second == 18 || second == 19)) || first >= 240;
    }
}
