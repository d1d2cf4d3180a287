package dev.csmserver;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layer rules of docs/architecture.md: which package may import which, no framework below layer
 * 5, no package cycles, and no source file over 400 lines.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.csmserver";

    /** Package to the project packages it may import (its own sub-packages are always allowed). */
    private static final Map<String, Set<String>> MAY_IMPORT =
            Map.ofEntries(
                    Map.entry("weights", Set.of()),
                    Map.entry("tokenizer", Set.of()),
                    Map.entry("audio", Set.of()),
                    Map.entry("nn", Set.of("weights")),
                    Map.entry("model", Set.of("nn", "weights")),
                    Map.entry("codec", Set.of("nn", "weights")),
                    Map.entry(
                            "pipeline",
                            Set.of("weights", "tokenizer", "audio", "nn", "model", "codec")),
                    Map.entry("queue", Set.of("pipeline", "metrics", "audio")),
                    Map.entry("contexts", Set.of("pipeline", "audio", "codec")),
                    Map.entry("metrics", Set.of()),
                    Map.entry("cli", Set.of("pipeline", "audio")),
                    Map.entry(
                            "config",
                            Set.of(
                                    "weights",
                                    "tokenizer",
                                    "audio",
                                    "nn",
                                    "model",
                                    "codec",
                                    "pipeline",
                                    "queue",
                                    "contexts",
                                    "metrics")),
                    Map.entry(
                            "api",
                            Set.of("queue", "contexts", "pipeline", "audio", "metrics", "config")),
                    Map.entry("health", Set.of("queue", "pipeline", "config")));

    private static final String[] FRAMEWORKS = {
        "io.quarkus..", "jakarta..", "org.eclipse.microprofile..", "io.smallrye..", "io.vertx.."
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages(ROOT);
    }

    @Test
    void packagesImportOnlyWhatTheirLayerAllows() {
        for (var e : MAY_IMPORT.entrySet()) {
            List<String> forbidden = new ArrayList<>();
            for (String other : MAY_IMPORT.keySet()) {
                if (!other.equals(e.getKey()) && !e.getValue().contains(other)) {
                    forbidden.add(ROOT + "." + other + "..");
                }
            }
            noClasses()
                    .that()
                    .resideInAPackage(ROOT + "." + e.getKey() + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(forbidden.toArray(String[]::new))
                    .allowEmptyShould(true)
                    .because(e.getKey() + " may import only " + e.getValue())
                    .check(classes);
        }
    }

    @Test
    void modelLayersStayPlainJava() {
        String[] plain =
                Stream.of(
                                "weights",
                                "tokenizer",
                                "audio",
                                "nn",
                                "model",
                                "codec",
                                "pipeline",
                                "queue",
                                "contexts",
                                "metrics",
                                "cli")
                        .map(p -> ROOT + "." + p + "..")
                        .toArray(String[]::new);
        noClasses()
                .that()
                .resideInAnyPackage(plain)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(FRAMEWORKS)
                .allowEmptyShould(true)
                .because("model code runs from a main or a unit test, with no container")
                .check(classes);
    }

    @Test
    void onlyMetricsAndWiringUseMicrometer() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + "..")
                .and()
                .resideOutsideOfPackages(ROOT + ".metrics..", ROOT + ".config..", ROOT + ".api..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.micrometer..")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(*)..")
                .should()
                .beFreeOfCycles()
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void sourceFilesStayUnder400Lines() throws IOException {
        List<String> tooLong = new ArrayList<>();
        for (Path dir : List.of(Path.of("src/main/java"), Path.of("src/test/java"))) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f :
                        (Iterable<Path>)
                                files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                    long lines = Files.readAllLines(f).size();
                    if (lines > 400) {
                        tooLong.add(f + " (" + lines + " lines)");
                    }
                }
            }
        }
        assertTrue(tooLong.isEmpty(), "files over 400 lines: " + tooLong);
    }
}
