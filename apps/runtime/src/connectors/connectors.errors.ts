import { BraidError } from '../common/braid.error.js';

export enum ConnectorsErrorCode {
  UNKNOWN_CONNECTOR = 'CONNECTOR_UNKNOWN',
}

const connectorsStatus: Record<ConnectorsErrorCode, number> = {
  CONNECTOR_UNKNOWN: 404,
};

export class ConnectorsError extends BraidError<ConnectorsErrorCode> {
  get status(): number {
    return connectorsStatus[this.code];
  }

  static unknownConnector(key: string): ConnectorsError {
    return new ConnectorsError(
      ConnectorsErrorCode.UNKNOWN_CONNECTOR,
      `There is no connector "${key}". GET /api/v1/connectors lists the installed ones.`,
    );
  }
}
