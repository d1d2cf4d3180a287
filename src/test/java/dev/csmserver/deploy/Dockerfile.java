package dev.csmserver.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Dockerfile read the way the builder reads it: comment lines dropped, backslash continuations
 * joined, each instruction tagged with its stage (the alias after {@code FROM ... AS}).
 */
record Dockerfile(List<Instruction> instructions) {

    /** One instruction: upper-case keyword, its arguments on one line, its stage alias. */
    record Instruction(String keyword, String args, String stage) {}

    static Dockerfile read(Path file) throws IOException {
        List<Instruction> out = new ArrayList<>();
        String stage = "";
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
                continue;
            }
            boolean continued = line.endsWith("\\");
            current.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
            if (continued) {
                continue;
            }
            String joined = current.toString().strip().replaceAll("\\s+", " ");
            current.setLength(0);
            if (joined.isEmpty()) {
                continue;
            }
            int space = joined.indexOf(' ');
            String keyword =
                    (space < 0 ? joined : joined.substring(0, space)).toUpperCase(Locale.ROOT);
            String args = space < 0 ? "" : joined.substring(space + 1);
            if (keyword.equals("FROM")) {
                String[] words = args.split(" ");
                stage =
                        words.length >= 3 && words[words.length - 2].equalsIgnoreCase("AS")
                                ? words[words.length - 1]
                                : "";
            }
            out.add(new Instruction(keyword, args, stage));
        }
        return new Dockerfile(out);
    }

    List<Instruction> in(String stageName, String keyword) {
        return instructions.stream()
                .filter(i -> i.stage().equals(stageName) && i.keyword().equals(keyword))
                .toList();
    }

    /** The stage the image ends in: the last FROM's alias. */
    String finalStage() {
        return instructions.get(instructions.size() - 1).stage();
    }
}
