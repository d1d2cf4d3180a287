package dev.csmserver.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What the service really serves, read from src/main/resources/application.properties with
 * Quarkus's defaults for what it does not set: the HTTP port and the health and metrics paths the
 * chart and the Dockerfile must use.
 */
final class ServiceContract {
    private static final Path PROPERTIES = Path.of("src/main/resources/application.properties");

    private ServiceContract() {}

    static Properties properties() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(PROPERTIES)) {
            p.load(r);
        }
        return p;
    }

    static int httpPort() throws IOException {
        return Integer.parseInt(properties().getProperty("quarkus.http.port", "8080").strip());
    }

    /**
     * Quarkus's non-application root ("/q" unless quarkus.http.non-application-root-path moves it).
     */
    private static String root() throws IOException {
        String root =
                properties().getProperty("quarkus.http.non-application-root-path", "q").strip();
        return "/" + root.replaceAll("^/+|/+$", "");
    }

    private static String health(String key, String fallback) throws IOException {
        Properties p = properties();
        String base =
                p.getProperty("quarkus.smallrye-health.root-path", "health")
                        .strip()
                        .replaceAll("^/+|/+$", "");
        return root()
                + "/"
                + base
                + "/"
                + p.getProperty("quarkus.smallrye-health." + key, fallback).strip();
    }

    static String ready() throws IOException {
        return health("readiness-path", "ready");
    }

    static String live() throws IOException {
        return health("liveness-path", "live");
    }

    static String started() throws IOException {
        return health("startup-path", "started");
    }

    static String metrics() throws IOException {
        return root()
                + "/"
                + properties()
                        .getProperty("quarkus.micrometer.export.prometheus.path", "metrics")
                        .strip()
                        .replaceAll("^/+", "");
    }
}
