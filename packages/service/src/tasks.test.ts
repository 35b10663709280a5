import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TaskRunner } from './tasks';

describe('task runner', () => {
  it('stops parts in reverse start order, once, and goes on when one fails to stop', async () => {
    const order: string[] = [];
    const tasks = new TaskRunner(pino({ level: 'silent' }));
    for (const name of ['database', 'broker', 'oracle']) {
      await tasks.start(name, async () => ({
        stop: async () => {
          order.push(name);
          if (name === 'broker') throw new Error('socket already closed');
        },
      }));
    }
    await Promise.all([tasks.stop('test'), tasks.stop('again')]);
    expect(order).toEqual(['oracle', 'broker', 'database']);
    await expect(tasks.start('late', async () => ({ stop: async () => {} }))).rejects.toThrow('not starting late: shutting down');
  });
});
