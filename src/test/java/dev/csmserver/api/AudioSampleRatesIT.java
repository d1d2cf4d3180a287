package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link AudioSampleRatesTest} against the packaged application. */
@QuarkusIntegrationTest
public class AudioSampleRatesIT extends AudioSampleRatesTest {}
