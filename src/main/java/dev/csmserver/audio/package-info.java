/** PCM, WAV, resampling and output encoders. Imports: JDK, DJL, codec libraries. */
package dev.csmserver.audio;
