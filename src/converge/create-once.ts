// Creates that converge: Adobe's POSTs are not idempotent (ruling 11), so when a create's answer
// is lost (network error, timeout, 5xx) the resource is looked up by name before trying again;
// a 409 (the name is taken) adopts the resource with that name.

export async function createOnce<T>(
  create: () => Promise<T>,
  lookup: () => Promise<T | undefined>,
  unsent: (error: unknown) => boolean = () => false,
): Promise<{ value: T; adopted: boolean }> {
  try {
    return { value: await create(), adopted: false };
  } catch (error) {
    if (unsent(error)) throw error; // nothing went out: nothing to look for
    const status = (error as { status?: number }).status;
    if (status === 409) {
      // It exists already (a concurrent run, or a create whose answer was lost): adopt it.
      const found = await lookup();
      if (found !== undefined) return { value: found, adopted: true };
      throw error;
    }
    if (status !== undefined && status < 500) throw error; // Adobe said no: nothing was created
    const found = await lookup();
    if (found !== undefined) return { value: found, adopted: true };
    return { value: await create(), adopted: false };
  }
}
