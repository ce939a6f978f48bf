/** The roles of docs/README.md. A user may hold several; `screen` is only ever held by a screen token. */
export const ROLES = ['admin', 'chair', 'leader', 'speaker', 'voter', 'auditor', 'analyst', 'secretary', 'screen'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
