/** The four roles a person can hold, one each (DESIGN.md section 2). */
export const ROLES = ['technician', 'manager', 'admin', 'auditor'] as const;

/** One of ROLES. */
export type Role = (typeof ROLES)[number];
