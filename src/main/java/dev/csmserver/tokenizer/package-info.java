/** CSM text tokenizer (DJL Hugging Face tokenizers). Imports: JDK, DJL tokenizers only. */
package dev.csmserver.tokenizer;
