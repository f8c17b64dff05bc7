/** @module The domain catalogue: the real service's domain ids and names, and which of them train and export here. */
import { LOCAL_EXPORT_PLATFORMS } from './platforms';

export type DomainType = 'Classification' | 'ObjectDetection';

export interface Domain {
  id: string;
  name: string;
  type: DomainType;
  exportable: boolean;
  enabled: boolean;
  exportablePlatforms: string[];
  modelInformation: { estimatedModelSizeInMegabytes?: number; description: string };
}

/**
 * Compact domains list only the platforms the local service really builds (Azure lists more:
 * CoreML, TensorFlow, VAIDK, OpenVino; the README names the difference). Object detection is not
 * trained here, so its domains export nothing.
 */
function domain(id: string, name: string, type: DomainType, compact: boolean, description: string): Domain {
  const exportable = compact && type === 'Classification';
  const platforms = exportable ? [...LOCAL_EXPORT_PLATFORMS] : [];
  return {
    id,
    name,
    type,
    exportable,
    enabled: true,
    exportablePlatforms: platforms,
    modelInformation: compact
      ? { estimatedModelSizeInMegabytes: 4, description }
      : { description },
  };
}

/** Ids and names as the real service publishes them (GetDomains example and select-domain.md). */
export const DOMAINS: readonly Domain[] = [
  domain('ee85a74c-405e-4adc-bb47-ffa8ca0c9f31', 'General', 'Classification', false, 'Optimized for a broad range of image classification tasks.'),
  domain('a8e3c40f-fb4a-466f-832a-5e457ae4a344', 'General [A1]', 'Classification', false, 'Optimized for better accuracy with comparable inference time as General domain.'),
  domain('2e37d7fb-3a54-486a-b4d6-cfc369af0018', 'General [A2]', 'Classification', false, 'Optimized for better accuracy with faster inference time than General [A1].'),
  domain('c151d5b5-dd07-472a-acc8-15d29dea8518', 'Food', 'Classification', false, 'Optimized for photographs of dishes as you would see them on a restaurant menu.'),
  domain('ca455789-012d-4b50-9fec-5bb63841c793', 'Landmarks', 'Classification', false, 'Optimized for recognizable landmarks, both natural and artificial.'),
  domain('b30a91ae-e3c1-4f73-a81e-c270bff27c39', 'Retail', 'Classification', false, 'Optimized for images that are found in a shopping catalog or shopping website.'),
  domain('45badf75-3591-4f26-a705-45678d3e9f5f', 'Adult', 'Classification', false, 'Optimized to better define adult content and non-adult content.'),
  domain('0732100f-1a38-4e49-a514-c9b44c697ab5', 'General (compact)', 'Classification', true, 'Optimized for the constraints of real-time classification on edge devices.'),
  domain('a1db07ca-a19a-4830-bae8-e004a42dc863', 'General (compact) [S1]', 'Classification', true, 'Optimized for the constraints of real-time classification on edge devices, with built-in normalization.'),
  domain('b5cfd229-2ac7-4b2b-8d0a-2b0661344894', 'Landmarks (compact)', 'Classification', true, 'Optimized for landmarks, for real-time classification on edge devices.'),
  domain('6b4faeda-8396-481b-9f8b-177b9fa3097f', 'Retail (compact)', 'Classification', true, 'Optimized for retail images, for real-time classification on edge devices.'),
  domain('da2e3a8a-40a5-4171-82f4-58522f70fbc1', 'General', 'ObjectDetection', false, 'Optimized for a broad range of object detection tasks.'),
  domain('9c616dff-2e7d-ea11-af59-1866da359ce6', 'General [A1]', 'ObjectDetection', false, 'Optimized for better accuracy with comparable inference time as General domain.'),
  domain('1d8ffafe-ec40-4fb2-8f90-72b3b6cecea4', 'Logo', 'ObjectDetection', false, 'Optimized for finding brand logos in images.'),
  domain('3780a898-81c3-4516-81ae-3a139614e1f3', 'Products on shelves', 'ObjectDetection', false, 'Optimized for detecting and classifying products on shelves.'),
  domain('a27d5ca5-bb19-49d8-a70a-fec086c47f5b', 'General (compact)', 'ObjectDetection', true, 'Optimized for the constraints of real-time object detection on edge devices.'),
  domain('7ec2ac80-887b-48a6-8df9-8b1357765430', 'General (compact) [S1]', 'ObjectDetection', true, 'Optimized for real-time object detection on edge devices, with built-in post-processing.'),
];

/** CreateProject without a domainId gets General, as on the real service. */
export const DEFAULT_DOMAIN_ID = 'ee85a74c-405e-4adc-bb47-ffa8ca0c9f31';

export function findDomain(id: string): Domain | undefined {
  const lower = id.toLowerCase();
  return DOMAINS.find((d) => d.id === lower);
}
