package dev.csmserver.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.csmserver.codec.MimiFixture.Source;
import org.junit.jupiter.api.Test;

class MimiConfigTest {
    @Test
    void everyFixtureConfigFormDescribesTheSameModel() {
        MimiConfig moshi = MimiFixture.config(Source.MOSHI);
        assertEquals(moshi, MimiFixture.config(Source.HF));
        assertEquals(moshi, MimiFixture.config(Source.CSM_HF));
        var model = MimiFixture.cases().get("model");
        assertEquals(model.get("n_q").asInt(), moshi.numCodebooks());
        assertEquals(model.get("codebook_size").asInt(), moshi.codebookSize());
        assertEquals(model.get("d_model").asInt(), moshi.dimension());
        assertEquals(model.get("context").asInt(), moshi.context());
    }

    @Test
    void realMimiGeometry() {
        MimiConfig c = MimiConfig.v0_1(32);
        assertEquals(960, c.hopLength());
        assertEquals(1920, c.frameSize());
        assertEquals(12.5, c.frameRateHz());
        assertEquals(64, c.headDim());
        assertEquals(250, c.context());
        assertEquals(8, MimiConfig.v0_1(8).numCodebooks());
    }

    @Test
    void rejectsWhatIsNotAMimiConfig() throws Exception {
        var json = new ObjectMapper().readTree("{\"hidden_size\": 2048}");
        assertThrows(IllegalArgumentException.class, () -> MimiConfig.fromJson(json));
    }
}
