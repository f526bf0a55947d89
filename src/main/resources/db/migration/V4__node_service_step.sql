-- The servicing step a node is running (Ironic's nodes.service_step, API 1.87), beside clean_step and deploy_step:
-- the step engine writes it before each service step so any conductor resumes from it.
ALTER TABLE nodes ADD COLUMN service_step JSONB;
