package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link WatermarkedOutputTest} against the packaged jar. */
@QuarkusIntegrationTest
public class WatermarkedOutputIT extends WatermarkedOutputTest {}
