-- One database per service: no service reads another's tables.
CREATE DATABASE civil_registry;
CREATE DATABASE licensing;
CREATE DATABASE queue;
