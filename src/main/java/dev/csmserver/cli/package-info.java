/** Plain-Java command line (generate, conversation, detect). Imports: pipeline, audio, JDK. */
package dev.csmserver.cli;
