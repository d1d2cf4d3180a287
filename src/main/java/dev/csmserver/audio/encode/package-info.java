/**
 * Streaming output encoders (raw PCM, WAV, MP3, FLAC, Ogg Opus) behind one {@link
 * dev.csmserver.audio.encode.AudioEncoder} interface, chosen by {@link
 * dev.csmserver.audio.encode.AudioFormat}. Imports: JDK, {@code dev.csmserver.audio}, and the kept
 * pure-Java codec libraries (jump3r, javaflacencoder, concentus).
 */
package dev.csmserver.audio.encode;
