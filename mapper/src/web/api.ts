/** Browser-side helpers shared by the map and onboarding pages. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network', `cannot reach the server (${(error as Error).message})`);
  }
  const body = (await response.json().catch(() => null)) as { error?: string; message?: string } | null;
  if (!response.ok) throw new ApiError(response.status, body?.error ?? 'http_error', body?.message ?? `${response.status} ${response.statusText}`);
  return body as T;
}

export const postJson = <T>(url: string, body: unknown, signal?: AbortSignal) =>
  getJson<T>(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export function fmtTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const ago = (Date.now() - d.getTime()) / 1000;
  const rel = ago < 90 ? `${Math.round(ago)} s ago` : ago < 5400 ? `${Math.round(ago / 60)} min ago` : ago < 129600 ? `${Math.round(ago / 3600)} h ago` : `${Math.round(ago / 86400)} d ago`;
  return `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC (${rel})`;
}
