package io.sluice.definition;

/** Where alerts of a pipeline go. */
public sealed interface AlertSink {

    /** A Slack-compatible JSON POST. */
    record Webhook(String url) implements AlertSink {
    }

    /** A command that gets the alert as JSON on stdin. */
    record Command(String run) implements AlertSink {
    }
}
