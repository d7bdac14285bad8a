package io.sluice.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Configures Logback in code (no XML parsing at startup): everything at INFO and above goes to
 * the home's log file, created (and the format prepared) only when something is written. Nothing
 * goes to the terminal.
 */
public final class LogbackConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        String file = System.getProperty(LoggingSetup.PROPERTY,
                System.getProperty("java.io.tmpdir") + "/sluice-" + ProcessHandle.current().pid() + ".log");
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n");
        LazyFile appender = new LazyFile(file, encoder);
        appender.setContext(context);
        appender.setName("file");
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        context.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
        context.getLogger("org.flywaydb").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Opens the log file on the first event, so that commands that log nothing create no file. */
    private static final class LazyFile extends AppenderBase<ILoggingEvent> {
        private final String file;
        private final PatternLayoutEncoder encoder;
        private FileAppender<ILoggingEvent> delegate;

        LazyFile(String file, PatternLayoutEncoder encoder) {
            this.file = file;
            this.encoder = encoder;
        }

        @Override
        protected synchronized void append(ILoggingEvent event) {
            if (delegate == null) {
                // started here, not when configured: the date's formatter looks up the time zone's
                // rules, which opens every jar on the class path, and most commands log nothing
                encoder.start();
                delegate = new FileAppender<>();
                delegate.setContext(getContext());
                delegate.setFile(file);
                delegate.setEncoder(encoder);
                delegate.start();
            }
            delegate.doAppend(event);
        }

        @Override
        public synchronized void stop() {
            if (delegate != null) {
                delegate.stop();
            }
            super.stop();
        }
    }
}
