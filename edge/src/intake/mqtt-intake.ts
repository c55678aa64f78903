/** The broker side the rest of the agent sees, embedded or external. */
export interface MqttIntake {
  /** Publishes an alert retained on the store's alert topic for the SKU. */
  publishAlert(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}
