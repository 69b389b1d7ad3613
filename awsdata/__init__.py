"""AWS's data as dbtier reads it: what each service offers (engine versions, instance classes,
node types, runtimes, regions) and the names AWS gives what it creates (log groups).

Pure standard library: the stack's config validation, the components and the policy pack all
import it under this one name, so what one accepts the other accepts.
"""
