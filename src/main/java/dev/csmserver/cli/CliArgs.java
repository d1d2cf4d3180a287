package dev.csmserver.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CLI's arguments, validated: the command, {@code --name value} options (each known to the
 * command) and where the weights come from. Unknown or malformed options are an {@link
 * IllegalArgumentException} whose message is shown with the usage.
 */
record CliArgs(String command, Map<String, String> options) {
    private static final Set<String> COMMON =
            Set.of("model-dir", "device", "dtype", "compute-path", "watermark-key", "cpu-threads");
    private static final Map<String, Set<String>> KNOWN =
            Map.of(
                    "generate",
                            Set.of(
                                    "text",
                                    "speaker",
                                    "max-audio-ms",
                                    "temperature",
                                    "top-k",
                                    "seed",
                                    "out"),
                    "conversation", Set.of("prompt-a", "prompt-b", "seed", "max-audio-ms", "out"),
                    "detect", Set.of("in"));

    static CliArgs parse(String[] argv) {
        if (argv.length == 0 || !KNOWN.containsKey(argv[0])) {
            throw new IllegalArgumentException(
                    argv.length == 0 ? "no command" : "unknown command '" + argv[0] + "'");
        }
        String command = argv[0];
        Map<String, String> options = new HashMap<>();
        List<String> rest = List.of(argv).subList(1, argv.length);
        for (int i = 0; i < rest.size(); i += 2) {
            String key = rest.get(i);
            if (!key.startsWith("--") || i + 1 >= rest.size()) {
                throw new IllegalArgumentException("expected --option value, got '" + key + "'");
            }
            String name = key.substring(2);
            if (!COMMON.contains(name) && !KNOWN.get(command).contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " for " + command);
            }
            options.put(name, rest.get(i + 1));
        }
        return new CliArgs(command, Map.copyOf(options));
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    Optional<Path> path(String name) {
        return Optional.ofNullable(options.get(name)).map(Path::of);
    }

    int integer(String name, int fallback) {
        try {
            return options.containsKey(name) ? Integer.parseInt(options.get(name)) : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer");
        }
    }

    long longValue(String name, long fallback) {
        try {
            return options.containsKey(name) ? Long.parseLong(options.get(name)) : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer");
        }
    }

    float decimal(String name, float fallback) {
        try {
            return options.containsKey(name) ? Float.parseFloat(options.get(name)) : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number");
        }
    }
}
