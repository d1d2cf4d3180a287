/**
 * CSM-1B: config, backbone, depth decoder, frame embedding, sampler, per-request state. Imports:
 * nn, weights, JDK, DJL.
 */
package dev.csmserver.model;
