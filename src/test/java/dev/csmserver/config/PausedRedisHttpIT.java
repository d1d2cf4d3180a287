package dev.csmserver.config;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link PausedRedisHttpTest} against the packaged jar (the test pauses its redis-server). */
@QuarkusIntegrationTest
public class PausedRedisHttpIT extends PausedRedisHttpTest {}
