/** CsmPipeline: joins tokenizer, CSM model, Mimi and the watermark. Imports layers 0-2. */
package dev.csmserver.pipeline;
