package dev.csmserver.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rendered Helm output parsed into fabric8's typed Kubernetes models, strictly: each object's
 * apiVersion/kind must be a known schema, scalars are never coerced ("8080" is not an int), and no
 * field may land in a model's catch-all {@code additionalProperties} (fabric8 keeps unknown fields
 * there instead of failing, so the walk below is what makes a typo an error).
 */
final class KubernetesManifests {
    private static final Map<String, Class<? extends HasMetadata>> SCHEMAS =
            Map.ofEntries(
                    Map.entry("v1/ConfigMap", ConfigMap.class),
                    Map.entry("v1/Secret", Secret.class),
                    Map.entry("v1/Service", Service.class),
                    Map.entry("v1/ServiceAccount", ServiceAccount.class),
                    Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
                    Map.entry("apps/v1/Deployment", Deployment.class),
                    Map.entry(
                            "autoscaling/v2/HorizontalPodAutoscaler",
                            HorizontalPodAutoscaler.class),
                    Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
                    Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
                    Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class));

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper STRICT =
            JsonMapper.builder()
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .build();

    private KubernetesManifests() {}

    /** Every non-empty document of a multi-document YAML stream, as typed, validated objects. */
    static List<HasMetadata> parse(String rendered) throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(rendered)) {
            for (var docs = YAML.readValues(parser, JsonNode.class); docs.hasNext(); ) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isEmpty()) {
                    continue;
                }
                out.add(toTyped(doc));
            }
        }
        return out;
    }

    private static HasMetadata toTyped(JsonNode doc) throws IOException {
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        Class<? extends HasMetadata> type = SCHEMAS.get(key);
        if (type == null) {
            throw new AssertionError(
                    "no schema for " + key + " (unexpected apiVersion/kind):\n" + doc);
        }
        HasMetadata object = STRICT.treeToValue(doc, type);
        String where = key + " " + object.getMetadata().getName();
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(object, where, unknown, new IdentityHashMap<>());
        if (!unknown.isEmpty()) {
            throw new AssertionError("fields not in the Kubernetes schema: " + unknown);
        }
        return object;
    }

    /**
     * Walks fabric8 model getters; any non-empty additionalProperties is a field the schema lacks.
     */
    private static void collectUnknownFields(
            Object node, String path, List<String> unknown, IdentityHashMap<Object, Boolean> seen) {
        if (node == null || seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0
                    || Modifier.isStatic(m.getModifiers())
                    || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = invoke(m, node);
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else if (!Set.of("getClass", "getPlural", "getSingular", "getApiVersion", "getKind")
                    .contains(m.getName())) {
                collectUnknownFields(value, path + "." + m.getName().substring(3), unknown, seen);
            }
        }
    }

    private static Object invoke(Method m, Object target) {
        try {
            return m.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            return null;
        }
    }
}
