package dev.csmserver.config;

import dev.csmserver.pipeline.ComputeDevice;
import dev.csmserver.pipeline.ComputePathSetting;
import dev.csmserver.pipeline.WeightDtype;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * SmallRye converters for the enum settings of {@link ServerConfig}: each parses with the enum's
 * own {@code parse} (which also takes the older spellings, e.g. {@code fp16}), so a bad value stops
 * the boot with a message that names the setting and its allowed values.
 */
public final class SettingConverters {
    private SettingConverters() {}

    /** {@code csm.model.device}. */
    public static final class Device implements Converter<ComputeDevice> {
        @Override
        public ComputeDevice convert(String value) {
            return ComputeDevice.parse(value);
        }
    }

    /** {@code csm.model.compute-path}. */
    public static final class Path implements Converter<ComputePathSetting> {
        @Override
        public ComputePathSetting convert(String value) {
            return ComputePathSetting.parse(value);
        }
    }

    /** {@code csm.model.dtype}. */
    public static final class Dtype implements Converter<WeightDtype> {
        @Override
        public WeightDtype convert(String value) {
            return WeightDtype.parse(value);
        }
    }

    /** {@code csm.contexts.store}. */
    public static final class Store implements Converter<ContextStoreKind> {
        @Override
        public ContextStoreKind convert(String value) {
            return ContextStoreKind.parse(value);
        }
    }
}
