// Placeholder so the workspace builds; the connector is not written yet (see README, Roadmap).
export {};
