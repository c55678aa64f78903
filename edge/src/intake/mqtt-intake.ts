import type { PosIntake } from './pos-intake.ts';

/** The broker side the rest of the agent sees, embedded or external. */
export interface MqttIntake {
  /** The intake the broker feeds, built by the broker with its own reply channel. */
  readonly intake: PosIntake;
  /** Publishes an alert retained on the store's alert topic for the SKU. */
  publishAlert(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}
