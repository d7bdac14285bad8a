package io.sluice.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J's binding to Logback as the sluice command makes it, named by the {@code slf4j.provider}
 * property that {@link Sluice#main} sets: Logback configured by {@link LogbackConfigurator}
 * directly. Found the usual way instead, SLF4J's provider and then Logback's configurators are
 * looked for with ServiceLoader, which opens every jar on the class path (about 100; 60-80 ms of
 * a cold start, on the path to a run's first task) and reads Logback's version files.
 */
public final class LogbackProvider implements SLF4JServiceProvider {
    private final LoggerContext context = new LoggerContext();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final LogbackMDCAdapter mdc = new LogbackMDCAdapter();

    @Override
    public void initialize() {
        context.setName("default");
        context.setMDCAdapter(mdc);
        LogbackConfigurator configurator = new LogbackConfigurator();
        configurator.setContext(context);
        configurator.configure(context);
        context.start();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return context;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }
}
