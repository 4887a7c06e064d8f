import * as z from 'zod/mini';

/** Role names travel space-separated in the authorizer context, so they are simple tokens. */
export const setRolesSchema = z.object({
  roles: z
    .array(
      z
        .string('must be a string')
        .check(z.regex(/^[a-z][a-z0-9_-]{0,31}$/, 'each role must be a lower-case name like "editor"')),
      'must be an array',
    )
    .check(z.maxLength(20, 'at most 20 roles')),
});
