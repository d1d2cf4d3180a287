package dev.csmserver.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The raw tensors of a checkpoint under their stored names: one {@code .safetensors} file, or a
 * sharded set described by an index JSON ({@code weight_map}: tensor name to shard file), whatever
 * the index is called ({@code model.safetensors.index.json}, {@code
 * transformers.safetensors.index.json}). Layout detection and renaming to canonical names happen in
 * the layout classes, not here.
 */
public final class Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path source;
    private final Map<String, HostTensor> tensors;

    private Checkpoint(Path source, Map<String, HostTensor> tensors) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Opens a {@code .safetensors} file or an index {@code .json}. */
    public static Checkpoint open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new WeightsException("checkpoint file not found: " + file);
        }
        if (file.getFileName().toString().endsWith(".json")) {
            return openIndex(file);
        }
        SafetensorsFile st = SafetensorsFile.open(file);
        Map<String, HostTensor> out = new TreeMap<>();
        for (String name : st.tensors().keySet()) {
            if (st.info(name).dtype().isFloat()) {
                out.put(name, HostTensor.fromFile(st, name));
            }
        }
        return new Checkpoint(file, out);
    }

    private static Checkpoint openIndex(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new WeightsException(index + ": not a readable index JSON: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new WeightsException(index + ": index has no 'weight_map' object");
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, HostTensor> out = new TreeMap<>();
        for (var it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            String shardName = e.getValue().asText();
            SafetensorsFile shard =
                    shards.computeIfAbsent(
                            shardName, n -> SafetensorsFile.open(index.resolveSibling(n)));
            if (!shard.has(e.getKey())) {
                throw new WeightsException(
                        index + ": tensor '" + e.getKey() + "' is not in shard " + shardName);
            }
            if (shard.info(e.getKey()).dtype().isFloat()) {
                out.put(e.getKey(), HostTensor.fromFile(shard, e.getKey()));
            }
        }
        return new Checkpoint(index, out);
    }

    public Path source() {
        return source;
    }

    /** Stored name to tensor (float tensors only; integer buffers such as counters are dropped). */
    public Map<String, HostTensor> tensors() {
        return tensors;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }
}
