package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link SpeechResourceTest} against the packaged application. */
@QuarkusIntegrationTest
public class SpeechResourceIT extends SpeechResourceTest {}
