package dev.jnydus.daemon.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.CoreConstants;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J's provider for the launchers ({@code -Dslf4j.provider}, set by {@code bin/jnydus-java}):
 * Logback's own provider, minus its auto-configuration. That looks up {@code Configurator}
 * services, which opens every jar of the class path (about 40) to find {@link DefaultLogConfigurator};
 * this provider applies it directly. Same context, same appender, same line format; a class path
 * without the property (tests, embedding) finds Logback's provider and the configurator as before.
 */
public final class NydusLogProvider implements SLF4JServiceProvider {
    /** The SLF4J API version Logback 1.5's provider asks for. */
    private static final String API_VERSION = "2.0.99";

    private final LoggerContext context = new LoggerContext();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final LogbackMDCAdapter mdc = new LogbackMDCAdapter();

    @Override
    public void initialize() {
        context.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
        context.setMDCAdapter(mdc);
        DefaultLogConfigurator configurator = new DefaultLogConfigurator();
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
        return API_VERSION;
    }
}
