// Connectors are stored by id; people know them by name. The names of the connectors the admin can see.
import { useEffect, useState } from 'react';
import { api } from './api.js';

/** A connector id → its name (the id itself while loading, or for a connector since removed). */
export function useConnectorNames(): (id: string) => string {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    api<Array<{ Id: string; Name: string }>>('GET', '/api/v1/inbound-connectors').then(
      (cs) => setNames(new Map(cs.map((c) => [c.Id, c.Name]))),
      () => undefined,
    );
  }, []);
  return (id) => names.get(id) ?? id;
}
