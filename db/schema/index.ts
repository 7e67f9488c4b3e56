// The whole schema, one module per domain. Add a domain's tables here.
export * from "./reference";
export * from "./search";
export * from "./funds";
export * from "./notices";
