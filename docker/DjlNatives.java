import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Image-build step (run by fetch-natives.sh with java's single-file launcher): makes DJL load its
 * native libraries once, offline, so they are extracted from the application's jars into
 * DJL_CACHE_DIR exactly where DJL looks for them at run time. Arguments: pytorch, tokenizers.
 */
public final class DjlNatives {
    public static void main(String[] args) throws Exception {
        for (String what : args) {
            switch (what) {
                case "pytorch" -> {
                    Engine engine = Engine.getEngine("PyTorch");
                    try (NDManager manager = engine.newBaseManager()) {
                        NDArray sum = manager.ones(new ai.djl.ndarray.types.Shape(2, 2)).sum();
                        System.out.println("PyTorch " + engine.getVersion() + " loaded, sum=" + sum.getFloat());
                    }
                }
                case "tokenizers" -> {
                    ai.djl.huggingface.tokenizers.jni.LibUtils.checkStatus();
                    System.out.println("tokenizers native library loaded");
                }
                default -> throw new IllegalArgumentException("unknown native library set: " + what);
            }
        }
    }
}
