package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link BadInputCorpusTest} against the packaged application. */
@QuarkusIntegrationTest
public class BadInputCorpusIT extends BadInputCorpusTest {}
