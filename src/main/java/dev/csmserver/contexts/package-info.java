/**
 * Stored conversation contexts (speaker, text, Mimi codes). Imports: pipeline, audio, codec, JDK.
 */
package dev.csmserver.contexts;
