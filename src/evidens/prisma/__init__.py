"""PRISMA 2020: flow-diagram counts derived from recorded decisions, arithmetic checks, diagrams."""
