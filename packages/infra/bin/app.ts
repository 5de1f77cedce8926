import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createChatbotStacks } from '../lib/chatbot-app.js';
import { loadInfraConfig } from '../lib/config.js';

// The composition root: context in, stacks out, checked by cdk-nag at synthesis.
const app = new App();
createChatbotStacks(app, loadInfraConfig(app.node));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
