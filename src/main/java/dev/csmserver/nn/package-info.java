/** Functional layers on NDArray shared by the CSM model and Mimi. Imports: weights, JDK, DJL. */
package dev.csmserver.nn;
