import { TillgateError, type TillgateErrorOptions } from '@tillgate/shared/errors';

/** Stable error codes of the simulators package: one closed list. */
export const simulatorErrorCodes = {
  /** A CLI flag or programmatic option is missing or out of range (SimulatorOptionError.option). */
  badOption: 'TG_SIM_BAD_OPTION',
  /** A terminal could not connect to its store's MQTT broker or a QoS 1 publish was not acknowledged. */
  publish: 'TG_SIM_PUBLISH',
  /** The WAN proxy could not listen on its port or reach its upstream. */
  proxy: 'TG_SIM_PROXY',
} as const;

export class SimulatorOptionError extends TillgateError {
  readonly option: string;

  constructor(option: string, message: string) {
    super(simulatorErrorCodes.badOption, `${option}: ${message}`);
    this.option = option;
  }
}

export class PublishError extends TillgateError {
  constructor(message: string, options: TillgateErrorOptions = {}) {
    super(simulatorErrorCodes.publish, message, { canRetry: true, ...options });
  }
}

export class ProxyError extends TillgateError {
  constructor(message: string, options: TillgateErrorOptions = {}) {
    super(simulatorErrorCodes.proxy, message, options);
  }
}
