/**
 * The system-call backend of pinning, over OpenHFT affinity (JNA): {@code sched_setaffinity},
 * {@code sched_getaffinity}, {@code sched_getcpu} and {@code gettid}. The only package that imports
 * {@code net.openhft}; the rest of the module sees it through {@link dev.coreloop.affinity.AffinityBackend}.
 */
package dev.coreloop.affinity.openhft;
