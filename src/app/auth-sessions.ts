// Concurrent SMTP AUTH sessions per login (docs/spec.md §4: 3, then `432 4.3.2 Concurrent connections
// limit exceeded.`), counted in this node's memory: with several nodes the limit holds per node.
import { defer, PERMIT, type Decision } from '../domain/decision.js';
import { admitsSession, type ServiceLimits } from '../domain/service-limits.js';

/** An SMTP AUTH session as admitted: PERMIT holds a slot until leave(); a refusal holds nothing. */
export interface AuthSession {
  readonly decision: Decision;
  leave(): void;
}

export const OPEN_SESSION: AuthSession = Object.freeze({ decision: PERMIT, leave: () => undefined });
const FULL: AuthSession = Object.freeze({ decision: defer('concurrentConnections'), leave: () => undefined });

export class AuthSessions {
  /** Open sessions per sender key. */
  private readonly open = new Map<string, number>();

  enter(key: string, service: ServiceLimits): AuthSession {
    const n = this.open.get(key) ?? 0;
    if (!admitsSession(n, service)) return FULL;
    this.open.set(key, n + 1);
    let left = false;
    return {
      decision: PERMIT,
      leave: () => {
        if (left) return;
        left = true;
        const rest = (this.open.get(key) ?? 1) - 1;
        if (rest <= 0) this.open.delete(key);
        else this.open.set(key, rest);
      },
    };
  }
}
