// A minimal line-level SMTP client over a real socket, for end-to-end tests that need exact control
// (smuggling attempts, killing the server right after a reply).

import * as net from 'node:net';
import { LineReader } from './line-reader.ts';

export class RawSmtpClient {
  readonly socket: net.Socket;
  readonly reader: LineReader;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.reader = new LineReader(socket);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RawSmtpClient> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawSmtpClient(socket);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends a command line (CRLF added) and returns the reply lines. */
  async command(line: string): Promise<string[]> {
    this.socket.write(line + '\r\n');
    return this.reader.reply();
  }

  async reply(): Promise<string[]> {
    return this.reader.reply();
  }

  close(): void {
    this.socket.destroy();
  }
}
