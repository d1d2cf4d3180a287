package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link BuiltInVoicesTest} against the packaged jar (started on the hub folder). */
@QuarkusIntegrationTest
public class BuiltInVoicesIT extends BuiltInVoicesTest {}
