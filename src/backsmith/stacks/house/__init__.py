"""The house blueprint: features written into existing projects, in their own style."""
