import { z } from 'zod';

/** A method: its input schema, and (as a phantom) its result type. */
export interface Method<I extends z.ZodType, O> {
  input: I;
  output?: O;
}

export const method = <O>() => ({
  input: <I extends z.ZodType>(input: I): Method<I, O> => ({ input }),
});

export const none = z.object({}).strict().optional();
export const projectId = z.number().int().positive();
export const functionId = z.string().min(1).max(256);
export const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path');
