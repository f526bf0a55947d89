/**
 * The annotations a hardware interface declares its clean and deploy steps with. They live below the conductor so a
 * driver can use them without importing the conductor; {@code io.anvil.conductor.steps} collects and orders them.
 */
package io.anvil.driver.steps;
